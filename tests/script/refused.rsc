# Commands certos cannot do fail with an error that says so; the script stops there.
:put "first"
:onerror e in={ :execute { :put "x" } } do={ :put "error: $e" }
:beep frequency=440 length=1s
:put "not reached"
