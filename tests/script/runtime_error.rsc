# A runtime error stops the script and names its line.
:local x 1
:put "x is $x"
:put ($x + "abc")
:put "not reached"
