# :log writes /log entries with topic script,<level>; /log print finds them.
:log info "Hello from script"
:log warning ("disk " . 90 . "%")
:log error "bad thing"
# debug is not in /log: no default /system logging rule sends it to memory
:log debug "details"
:foreach e in=[/log print as-value where topics~"^script"] do={ :put (($e->"topics") . " " . ($e->"message")) }
:put [/log print count-only where topics~"script,info"]
:onerror e in={ :log loud "x" } do={ :put "error: $e" }
