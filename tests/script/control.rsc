# :if, :while, :do while=, :for and :foreach.
:local myBool true
:if ($myBool = false) do={ :put "value is false" } else={ :put "value is true" }
:if (1 < 2) do={ :put "yes" }
:if (1 > 2) do={ :put "no" }
:local i 0
:while ($i < 3) do={ :put "while $i"; :set i ($i + 1) }
:do { :put "do $i"; :set i ($i - 1) } while=($i > 1)
:for n from=1 to=3 do={ :put "for $n" }
:for n from=10 to=0 step=-5 do={ :put "down $n" }
:for n from=3 to=1 do={ :put "auto $n" }
:foreach v in={2; "aX"=1; y=2; 5} do={ :put $v }
:foreach k,v in={2; "aX"=1; y=2; 5} do={ :put ("$k=$v") }
:foreach item in=[:toarray "p,q"] do={ :put $item }
