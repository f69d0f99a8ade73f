# Catching errors: :do on-error=, :onerror, :error and :return.
:do { :error "boom" } on-error={ :put "caught" }
:do { :put "fine" } on-error={ :put "not run" }
:onerror e in={ :error "failure text" } do={ :put "Critical $e" }
:put [:onerror e in={ :put "no error" } do={ :put "not run" }]
:put [:onerror e { :error "x" } do={}]
:do { /certificate get nosuch name } on-error={ :put "no such certificate" }
:onerror e in={ :put (1 / 0) } do={ :put "error: $e" }
:onerror e in={ :put ("a" + 1) } do={ :put "error: $e" }
:delay 10ms
:put "before"
:return
:put "never printed"
