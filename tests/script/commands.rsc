# Commands as values: print as-value, get and find give typed values.
/certificate add name=ca common-name=ca key-size=prime256v1 key-usage=key-cert-sign,crl-sign
/certificate add name=server common-name=server key-size=prime256v1
/certificate sign ca
/certificate sign server ca=ca
:local all [/certificate print as-value]
:put [:typeof $all]
:put [:len $all]
:put [:typeof ($all->0)]
:put (($all->0)->"name")
:put [:typeof (($all->0)->".id")]
:put [:typeof (($all->0)->"expires-after")]
:put [:typeof (($all->0)->"trusted")]
:put [:typeof (($all->0)->"key-size")]
:local ca [/certificate get ca]
:put [:typeof $ca]
:put ($ca->"common-name")
:put [:typeof [/certificate get ca expires-after]]
:put ([/certificate get ca expires-after] > 300d)
:put [:typeof [/certificate get ca trusted]]
:put [:typeof [/certificate get ca days-valid]]
:put ([/certificate get ca days-valid] + 0)
:local ids [/certificate find where name~"^s"]
:put [:typeof $ids]
:put [:len $ids]
:put [:typeof ($ids->0)]
:put [/certificate get ($ids->0) name]
:put [:len [/certificate find]]
:put [/certificate print count-only]
:put ([/certificate print count-only] = 2)
:foreach c in=[/certificate print as-value] do={ :put ("name: " . ($c->"name")) }
:foreach id in=[/certificate find] do={ :put "common-name: $[/certificate get $id common-name]" }
:put "certificates: $[:len [/certificate find]]"
