# Strings: escapes and $var, $[command] and $(expression) interpolation; :len, :pick, :find.
:put "\48\45\4C\4C\4F"
:put "tab[\t] quote[\"] dollar[\$] space[\_]"
:local name "world"
:put "Hello $name!"
:local a 5
:local b 6
:put " 5x6 = $($a * $b)"
:put "length: $[:len "abcdef"]"
:put "nested: $[:pick "abcdef" 1 3]"
:put [:typeof "$a"]
:put [:len "length=8"]
:put [:pick "abcde" 1 3]
:put [:pick "abcde" 2]
:put [:pick "abc" 5 9]
:put [:find "abcabc" "c"]
:put [:find "abcabc" "c" 2]
:put [:typeof [:find "abc" "z"]]
:global myStr "part of the string # is not a comment"
:put $myStr
:put ("multi" . \
  "line")
