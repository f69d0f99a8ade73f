# { } blocks and their scope; :local, :global, :set.
{
    :local a 3
    {
        :local b 4
        :put ($a + $b)
    }
    :onerror e in={ :put $b } do={ :put "b is gone: $e" }
    :set a 10
    :put $a
}
:onerror e in={ :put $a } do={ :put "a is gone: $e" }
:global g 1
{
    :set g 2
}
:put $g
:global g
:put $g
:local x "outer"
{
    :local x "inner"
    :put $x
}
:put $x
:set x
:put [:typeof $x]
:local "my-var" 7
:put $"my-var"
