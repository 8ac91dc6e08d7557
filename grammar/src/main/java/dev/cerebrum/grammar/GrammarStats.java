package dev.cerebrum.grammar;

/**
 * The sizes of a grammar that {@link GrammarLimits} bounds, as llama.cpp would build and run it.
 *
 * @param bytes      UTF-8 length of the text
 * @param nesting    deepest nesting of groups and repetitions
 * @param rules      rules after llama.cpp's expansion: named rules, groups and generated repetition rules
 * @param elements   grammar elements after that expansion (characters, ranges, references and markers)
 * @param states     distinct parse stacks llama.cpp can hold
 * @param fanOut     the most parse stacks one step can produce
 * @param ambiguity  the most paths a 16-character token can take through the parse stacks
 * @param explored   the most paths b4916 explores, without memory, in one step
 * @param emptyChain the longest chain of rule references followed without consuming a character
 */
public record GrammarStats(int bytes, int nesting, long rules, long elements, long states, long fanOut,
                           long ambiguity, long explored, long emptyChain) {
}
