#!/usr/bin/env python3
"""Renders every template in templates/ with every case of conversations.json through Python jinja2,
configured as Hugging Face transformers configures it (utils/chat_template_utils.py), and writes the
expected outputs the Java fixture tests compare against. Also renders the snippets of
../semantics/snippets.txt.

    /usr/bin/python3 generate.py     # needs python3-jinja2 (Debian) or `pip install jinja2`

Writes:
    special-tokens.json              bos/eos per template (the rules are in SPECIAL_TOKENS below)
    expected/<template>/<case>.txt   the exact rendering (UTF-8, no newline added), or
    expected/<template>/<case>.error the jinja2 exception: first line its class, then its message
    ../semantics/expected.json       per snippet {"output": ...} or {"error": class, "message": ..., "line": n}
"""
import json
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = Path(__file__).resolve().parent

# The fixed moment strftime_now() reports; the Java test uses the same instant (UTC).
NOW = datetime(2026, 3, 7, 9, 5, 2)

# First matching rule wins: (regex on the template file stem, bos_token, eos_token).
SPECIAL_TOKENS = [
    (r"(?i)llama-3|firefunction|Hermes-3|Hermes-2-Pro|functionary|DeepSeek-R1-Distill-Llama",
     "<|begin_of_text|>", "<|eot_id|>"),
    (r"(?i)deepseek", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    (r"(?i)qwen|qwq|mimo", "<|endoftext|>", "<|im_end|>"),
    (r"(?i)gemma", "<bos>", "<eos>"),
    (r"(?i)mistral|ministral|devstral", "<s>", "</s>"),
    (r"(?i)gpt-oss", "<|startoftext|>", "<|return|>"),
    (r"(?i)phi-3", "<s>", "<|endoftext|>"),
    (r"(?i)granite", "<|end_of_text|>", "<|end_of_text|>"),
    (r"(?i)cohere|command-r", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    (r".*", "<s>", "</s>"),
]


def special_tokens(stem):
    for pattern, bos, eos in SPECIAL_TOKENS:
        if re.search(pattern, stem):
            return {"bos_token": bos, "eos_token": eos}
    raise AssertionError(stem)


class AssistantTracker(Extension):
    """transformers' {% generation %} tag; it is never activated for plain rendering, so it passes through."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return NOW.strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, case, corpus, tokens):
    template = env.from_string(source)
    messages = json.loads(json.dumps(corpus["conversations"][case["conversation"]]))
    tools = json.loads(json.dumps(corpus["tools"])) if case["tools"] else None
    return template.render(messages=messages, tools=tools, documents=None,
                           add_generation_prompt=case["add_generation_prompt"],
                           **tokens, **case.get("extra", {}))


def parse_snippets(text):
    """Records start with a line "=== name", then optional "vars: {json}" and "crlf: true" lines, then the
    template up to the next record; the newline before the next record is not part of the template."""
    records = []
    for chunk in re.split(r"(?m)^=== ", text)[1:]:
        name, _, body = chunk.partition("\n")
        options = {}
        while body.startswith(("vars: ", "crlf: ")):
            line, _, body = body.partition("\n")
            key, _, value = line.partition(": ")
            options[key] = json.loads(value)
        if body.endswith("\n"):
            body = body[:-1]
        if options.get("crlf"):
            body = body.replace("\n", "\r\n")
        records.append((name.strip(), body, options.get("vars", {})))
    return records


def render_snippets(env):
    folder = HERE.parent / "semantics"
    results = {}
    for name, source, variables in parse_snippets((folder / "snippets.txt").read_text(encoding="utf-8")):
        variables = dict(variables)
        try:
            template = env.from_string(source)
            results[name] = {"output": template.render(
                messages=variables.pop("messages", []), tools=variables.pop("tools", None), documents=None,
                add_generation_prompt=variables.pop("add_generation_prompt", False), **variables)}
        except Exception as e:  # every failure is an expected outcome, recorded as such
            result = {"error": type(e).__name__, "message": str(e)}
            if isinstance(e, jinja2.exceptions.TemplateSyntaxError):
                result["line"] = e.lineno
            results[name] = result
    (folder / "expected.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"snippets: {len(results)}, {sum('error' in r for r in results.values())} raised", file=sys.stderr)


def main():
    corpus = json.loads((HERE / "conversations.json").read_text(encoding="utf-8"))
    templates = sorted((HERE / "templates").glob("*.jinja"))
    expected = HERE / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    tokens = {t.stem: special_tokens(t.stem) for t in templates}
    (HERE / "special-tokens.json").write_text(
        json.dumps(tokens, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    env = environment()
    ok = failed = 0
    for path in templates:
        source = path.read_text(encoding="utf-8")
        folder = expected / path.stem
        folder.mkdir(parents=True)
        for case in corpus["cases"]:
            try:
                out = render(env, source, case, corpus, tokens[path.stem])
                (folder / (case["name"] + ".txt")).write_bytes(out.encode("utf-8"))
                ok += 1
            except Exception as e:  # every failure is an expected outcome, recorded as such
                (folder / (case["name"] + ".error")).write_bytes(
                    (type(e).__name__ + "\n" + str(e)).encode("utf-8"))
                failed += 1
    print(f"jinja2 {jinja2.__version__}: {len(templates)} templates, {ok} rendered, {failed} raised",
          file=sys.stderr)
    render_snippets(env)


if __name__ == "__main__":
    main()
