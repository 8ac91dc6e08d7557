/** GBNF grammars parsed and bounded before they reach llama.cpp, and JSON schemas compiled to GBNF. */
module dev.cerebrum.grammar {
    exports dev.cerebrum.grammar;
}
