# expiry_check.rsc: the v6 seed's certificate expiry monitoring, written for RouterOS v7 (and certos).
# Every signed certificate that expires within $limit gets a warning in /log (topics script,warning); one info
# line sums up. Run it as a /system script from /system scheduler, e.g. daily:
#   /system script add name=expiry-check source=[/file get expiry_check.rsc contents]
#   /system scheduler add name=expiry interval=1d start-time=03:00:00 on-event=expiry-check
:local limit 30d
:local soon 0
:local all [/certificate find]
:foreach id in=$all do={
    :local name [/certificate get $id name]
    :local left [/certificate get $id expires-after]
    # A template has no expires-after (nil): only certificates are compared.
    :if ([:typeof $left] = "time") do={
        :if ($left < $limit) do={
            :log warning "certificate '$name' expires in $left (less than $limit)"
            :set soon ($soon + 1)
        }
    }
}
:log info "expiry check: $soon of $[:len $all] certificates expire within $limit"
