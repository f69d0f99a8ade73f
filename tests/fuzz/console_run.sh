#!/bin/sh
# console_run.sh fuzzes the console lexer on lines and scripts, and `where` expressions through bounds,
# normalisation and matching (tests/fuzz/console_fuzz.cpp), from tests/fuzz/corpus/console. See lib/target.sh.
NAME=console_fuzz
SOURCES="console/lexer.cpp console/where.cpp menu/filter.cpp menu/schema.cpp menu/record.cpp menu/menu_node.cpp
         script/value.cpp script/literal.cpp core/duration.cpp core/value.cpp core/id.cpp"
LIBS=""
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/console"
# Longer seeds (the 100,000 `!` of issue 12) are cut to this, which still nests far beyond the bound (the full
# inputs are in console_test.cpp).
MAX_LEN=16384
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
