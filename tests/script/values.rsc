# Typed values: literals, :typeof and the conversions.
:put [:typeof 42]
:put [:typeof "42"]
:put [:typeof true]
:put [:typeof 1d2h]
:put [:typeof *1A]
:put [:typeof 10.0.0.1]
:put [:typeof 10.0.0.0/8]
:put [:typeof {1;2}]
:local unset
:put [:typeof $unset]
:local f do={ :return 1 }
:put [:typeof $f]
:put [:typeof [:tonum "12"]]
:put ([:tonum "12"] + 1)
:put [:typeof [:tonum "abc"]]
:put [:tostr 0x1F]
:put [:typeof [:tostr 5]]
:put [:totime 90]
:put [:totime "1h30m"]
:put [:tobool "yes"]
:put [:typeof [:tobool "maybe"]]
:put [:toid 26]
:put [:typeof [:toid "*a"]]
:put [:toarray "a,b,c"]
:put [:len [:toarray "a,b,c"]]
:put [:tonum 1m]
:put 1w2d3h4m5s
:put 1500ms
:put -2h
