# :global values belong to the process: later lines and runs see them, /system script environment lists them.
:global counter 1
:set counter ($counter + 1)
:global greeting "hi"
:global list {1;2;3}
/system script environment print
:foreach g in=[/system script environment print as-value] do={ :put (($g->"name") . "=" . ($g->"value")) }
/system script environment remove greeting
:put [/system script environment print count-only]
:put [:typeof $counter]
