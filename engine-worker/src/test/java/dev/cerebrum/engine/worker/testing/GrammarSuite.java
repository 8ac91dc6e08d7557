package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.gguf.testing.TestModels;
import dev.cerebrum.engine.worker.WorkerModel;
import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.JsonSchemaGrammars;
import dev.cerebrum.grammar.testing.GrammarCorpus;
import dev.cerebrum.grammar.testing.Recogniser;
import dev.cerebrum.grammar.testing.WorstGrammars;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grammars on the real native library: every grammar the validator accepts compiles and runs in llama.cpp,
 * the worst ones in well under a second, and every refused one is stopped before llama.cpp, whose process (the
 * worker, or this one for an in-process engine) keeps serving. The successor model continues "abc" with
 * "defghijk", so a grammar's effect is visible. Every engine passes it.
 */
public abstract class GrammarSuite extends OneModelSuite {
    private static final int SLOTS = 2;

    /** The process the model runs in: its worker's, for an engine with worker processes. */
    protected long modelProcess() {
        return ((WorkerModel) model()).pid();
    }

    @Override
    protected ModelSpec suiteModel() {
        return ModelSpec.of("successor", TestModels.successor(), 512, 1, SLOTS);
    }

    private static GenerationRequest.Builder abc() {
        return GenerationRequest.builder("abc").greedy().maxTokens(8);
    }

    private void assertWorkerStillServes(long pid) throws InterruptedException {
        assertEquals(pid, modelProcess(), "the worker was not replaced");
        assertTrue(model().isAlive());
        assertEquals("defghijk", Events.readAll(model().generate(abc().build())).text());
    }

    @Test
    void everyValidGrammar_isAcceptedByTheRealEngine_andItsOutputMatchesIt() throws Exception {
        long pid = modelProcess();
        Map<String, String> outcomes = new LinkedHashMap<>();
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (Map.Entry<String, String> e : GrammarCorpus.valid().entrySet()) {
            Grammar grammar = Grammar.parse(e.getValue());
            Events events = Events.readAll(model().generate(abc().maxTokens(24).grammar(e.getValue()).build()));
            outcomes.put(e.getKey(), events.finished.reason() + " " + events.text().replace("\n", "\\n"));
            checks.add(() -> assertNull(events.finished.error(), e.getKey()));
            if (events.finished.reason() == FinishReason.STOP) {
                // the grammar let the model end: the whole output is a sentence of the grammar
                checks.add(() -> assertTrue(Recogniser.matches(grammar, events.text()),
                        e.getKey() + " produced " + events.text()));
            } else {
                checks.add(() -> assertEquals(FinishReason.LENGTH, events.finished.reason(), e.getKey()));
            }
        }
        outcomes.forEach((name, outcome) -> System.out.println("grammar " + name + ": " + outcome));
        assertAll(checks);
        assertWorkerStillServes(pid);
    }

    @Test
    void malformedAndHostileGrammars_areRefusedBeforeTheWorker_whichKeepsServing() throws Exception {
        long pid = modelProcess();
        List<GrammarCorpus.Refused> refused = new ArrayList<>(GrammarCorpus.malformed());
        refused.addAll(GrammarCorpus.hostile());
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (GrammarCorpus.Refused r : refused) {
            if (r.text().indexOf('\0') >= 0 || r.text().isBlank()) {
                continue; // the request itself refuses these before the engine
            }
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> model().generate(abc().grammar(r.text()).build()), r.name());
            checks.add(() -> assertEquals("grammar", e.field(), r.name()));
            checks.add(() -> assertTrue(e.getMessage().startsWith("invalid grammar: ")
                    && e.getMessage().contains(r.message()), r.name() + ": " + e.getMessage()));
        }
        assertAll(checks);
        assertEquals(0, model().slots().busy(), "no slot was taken");
        assertWorkerStillServes(pid);
    }

    @Test
    void worstAcceptedGrammars_compileAndRunInWellUnderASecond() throws Exception {
        long pid = modelProcess();
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (Map.Entry<String, String> e : WorstGrammars.all().entrySet()) {
            long start = System.nanoTime();
            Events events = Events.readAll(model().generate(abc().maxTokens(8).grammar(e.getValue()).build()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("worst accepted grammar (%s): %d ms for %d tokens, %s%n", e.getKey(), millis,
                    events.tokens.size(), Grammar.parse(e.getValue()).stats());
            checks.add(() -> assertNull(events.finished.error(), e.getKey()));
            checks.add(() -> assertTrue(millis < 2_000, e.getKey() + " took " + millis + " ms"));
        }
        assertAll(checks);
        assertWorkerStillServes(pid);
    }

    @Test
    void jsonSchemaGrammar_makesTheModelWriteAMatchingDocument() throws Exception {
        Map<String, Object> schema = Map.of("type", "object",
                "properties", Map.of("name", Map.of("enum", List.of("xyz", "abc"))),
                "required", List.of("name"));
        Grammar grammar = JsonSchemaGrammars.fromSchema(schema);

        Events events = Events.readAll(model().generate(abc().maxTokens(200).grammar(grammar.text()).build()));

        System.out.println("schema output: " + events.text().replace("\n", "\\n"));
        assertEquals(FinishReason.STOP, events.finished.reason(), events.text());
        assertTrue(Recogniser.matches(grammar, events.text()), events.text());
        assertTrue(events.text().replaceAll("\\s", "").matches("\\{\"name\":\"(xyz|abc)\"}"), events.text());
    }

    @Test
    void jsonObjectGrammar_endsWithAnObject() throws Exception {
        Grammar grammar = JsonSchemaGrammars.jsonObject();

        Events events = Events.readAll(model().generate(abc().maxTokens(64).grammar(grammar.text()).build()));

        assertNull(events.finished.error());
        assertTrue(events.text().startsWith("{"), events.text());
        if (events.finished.reason() == FinishReason.STOP) {
            assertTrue(Recogniser.matches(grammar, events.text()), events.text());
        }
    }

    @Test
    void grammarWithIgnoreEos_isRefused_becauseAFinishedGrammarWouldAbortTheWorker() throws Exception {
        long pid = modelProcess();

        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> model().generate(abc().ignoreEos(true).grammar("root ::= \"xyz\"").build()));

        assertEquals("ignore_eos", e.field());
        assertEquals("ignore_eos cannot be combined with a grammar", e.getMessage());
        assertWorkerStillServes(pid);
    }
}
