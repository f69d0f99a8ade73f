# Arrays: literals, -> by key and position, ',' joins, :len, :pick and :find on arrays.
:local list {1;2;3}
:put $list
:put [:len $list]
:put ($list->0)
:put ($list->2)
:local kv {a=1;b="two";"aX"=3}
:put $kv
:put ($kv->"b")
:put ($kv->"aX")
:put [:typeof ($kv->"missing")]
:put ({1;2;3} , 5)
:put (1,2,3)
:put [:pick {10;20;30} 1]
:put [:pick {10;20;30} 1 3]
:put [:find {10;20;30} 20]
:put (20 in {10;20;30})
:local nested {inner={x=1}}
:put ($nested->"inner"->"x")
:put [:range 2 5]
:put [:typeof {}]
:put [:len {}]
