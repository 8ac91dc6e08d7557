package dev.cerebrum.reliability;

/**
 * One part of the suite, in a class of its own: it starts the servers it needs, tries what it is about, and says
 * what held. A finding is a result, never an exception; an exception means the part itself could not run.
 * New parts are added to {@link Suite#PARTS}.
 */
interface Part {
    /** The short name shown in the table and accepted by {@code --parts}. */
    String name();

    /** Runs the part. */
    PartResult run(SuiteContext context) throws Exception;
}
