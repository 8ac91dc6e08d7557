package dev.cerebrum.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PeerProtocolTest {

    @Test
    void bothBodies_askForGreedyExactTokenCounts() throws Exception {
        Map<String, Object> ours = JSON.std.mapFrom(PeerProtocol.CEREBRUM.body("peer", "a b", 64));
        assertEquals("peer", ours.get("model"));
        assertEquals(64, ours.get("max_tokens"));
        assertEquals(true, ours.get("ignore_eos"));
        assertEquals(0, ours.get("temperature"));
        assertEquals(1.0, ours.get("repeat_penalty"));

        Map<String, Object> peer = JSON.std.mapFrom(PeerProtocol.LLAMA_SERVER.body("peer", "a b", 64));
        assertEquals("a b", peer.get("prompt"));
        assertEquals(64, peer.get("n_predict"));
        assertEquals(true, peer.get("ignore_eos"));
        assertEquals(true, peer.get("stream"));
        assertEquals(true, peer.get("cache_prompt"));
        assertEquals(0, peer.get("temperature"));
        assertFalse(peer.containsKey("max_tokens"));
    }

    @Test
    void llamaServerEvents_countTokens_ignoreTheStartEvent_andReadTheCacheOnTheLast() {
        PeerProtocol p = PeerProtocol.LLAMA_SERVER;
        assertEquals(new PeerProtocol.Event.Other(), p.parse("""
                {"index":0,"content":"","tokens":[],"stop":false,"id_slot":-1,"tokens_predicted":0,"tokens_evaluated":0}"""));
        assertEquals(new PeerProtocol.Event.Tokens(3), p.parse("""
                {"index":0,"content":"x","tokens":[412],"stop":false,"id_slot":1,"tokens_predicted":3,"tokens_evaluated":9}"""));
        assertEquals(new PeerProtocol.Event.Done(1001, 8, 984, 20.5, "limit"), p.parse("""
                {"content":"","tokens":[],"stop":true,"tokens_predicted":8,"tokens_evaluated":1001,"stop_type":"limit",
                 "tokens_cached":1008,"timings":{"cache_n":984,"prompt_n":17,"prompt_ms":20.5}}"""));
        assertEquals(new PeerProtocol.Event.Failed("the request exceeds the available context"), p.parse("""
                {"error":{"code":400,"message":"the request exceeds the available context","type":"invalid_request_error"}}"""));
    }

    @Test
    void cerebrumEvents_countTotalTokens_andTheDoneEventsFigures() {
        PeerProtocol p = PeerProtocol.CEREBRUM;
        assertEquals(new PeerProtocol.Event.Tokens(2), p.parse("{\"token\": \"e\", \"total_tokens\": 2}"));
        assertEquals(new PeerProtocol.Event.Done(4, 2, -1, 3.1, "length"), p.parse("""
                {"done": true, "total_tokens": 2, "finish_reason": "length", "prompt_tokens": 4, "completion_tokens": 2,
                 "timings": {"queue_ms": 0.1, "time_to_first_token_ms": 3.2, "prompt_ms": 3.1}}"""));
        assertEquals(new PeerProtocol.Event.Done(1001, 8, 990, Double.NaN, "length"), p.parse("""
                {"done": true, "total_tokens": 8, "finish_reason": "length", "prompt_tokens": 1001,
                 "completion_tokens": 8, "timings": {"queue_ms": 0.1, "cached_tokens": 990}}"""));
        assertEquals(new PeerProtocol.Event.Failed("timed out waiting for a free slot"), p.parse("""
                {"error": "timed out waiting for a free slot", "done": true, "finish_reason": "error"}"""));
    }
}
