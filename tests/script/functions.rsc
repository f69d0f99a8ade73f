# Functions: do={ } values called as $f and [$f], named and numbered arguments, :return, recursion.
:global myFunc do={ :put "hello from function" }
$myFunc
:global greet do={ :put "arg a=$a"; :put "arg '1'=$1" }
$greet a="this is arg a value" "this is arg1 value"
:global add do={ :return ($a + $b) }
:put [$add a=6 b=2]
:local name do={ :return $0 }
:put [$name]
:global funcA do={ :return 5 }
:global funcB do={ :global funcA; :return ([$funcA] + 4) }
:put [$funcB]
:global fact do={ :global fact; :if ($1 <= 1) do={ :return 1 }; :return ($1 * [$fact ($1 - 1)]) }
:put [$fact 10]
:local parsed [:parse ":put \"parsed code ran\""]
$parsed
:global forever do={ :global forever; :return [$forever] }
:onerror e in={ [$forever] } do={ :put "error: $e" }
:local notfn 5
:onerror e in={ $notfn } do={ :put "error: $e" }
