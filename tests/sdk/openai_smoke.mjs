// Drives the official `openai` npm package against GemGate's OpenAI-compatible API, which GemGate translates to
// native Gemini calls (here: the fake upstream, whose answers are predictable; see tests/support/fakeupstream.h).
// Usage: node openai_smoke.mjs <gateway base URL> <GemGate client key> [API base path, default /v1]
// Prints one PASS/FAIL line per check, then "OPENAI SDK OK" and exits 0 only when every check passed.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseUrl, apiKey, apiPath = '/v1'] = process.argv.slice(2);
if (!baseUrl || !apiKey) {
  console.error('usage: node openai_smoke.mjs <base URL> <client key> [API base path]');
  process.exit(2);
}
// No retries: a failure must show up as itself, not as a slow retry loop.
const client = new OpenAI({ apiKey, baseURL: baseUrl + apiPath, maxRetries: 0, timeout: 30_000 });
const MODEL = 'gemini-2.5-flash';

let failures = 0;
async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`PASS ${name}${detail === undefined ? '' : ': ' + detail}`);
  } catch (e) {
    failures += 1;
    const http = e instanceof OpenAI.APIError ? ` [HTTP ${e.status}] ${JSON.stringify(e.error)}` : '';
    console.log(`FAIL ${name}: ${e.message}${http}`);
  }
}

// 1. A plain completion: the fake echoes the last user text.
await check('chat completion', async () => {
  const r = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'hello openai' }],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, 'echo: hello openai');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0, 'usage counts');
  assert.ok(r.usage.total_tokens > 0, 'usage.total_tokens');
  return `${JSON.stringify(r.choices[0].message.content)}, ${r.usage.total_tokens} tokens`;
});

// 2. A stream with the final usage chunk: the fake streams "echo: <text>", " +1", " +2" (3 events by default).
await check('chat completion stream with include_usage', async () => {
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'hello stream' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
  let text = '';
  let finish = null;
  for (const chunk of chunks.slice(0, -1)) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.id, chunks[0].id, 'one id for the whole stream');
    assert.equal(chunk.usage ?? null, null, 'usage only on the last chunk');
    const choice = chunk.choices[0];
    text += choice?.delta?.content ?? '';
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  assert.equal(text, 'echo: hello stream +1 +2');
  assert.equal(finish, 'stop');
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage, 'the last chunk carries usage');
  assert.ok(last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0, 'usage counts');
  assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
  return `${chunks.length} chunks, ${JSON.stringify(text)}, ${last.usage.total_tokens} tokens`;
});

// 3. Tool calls. The fake answers with a Gemini 3 style functionCall carrying a thoughtSignature, and with
// x-fake-require-signatures it rejects (400) a follow-up whose functionCall lost that signature, as Gemini 3 does.
// The OpenAI client never sees the signature, so only the gateway can put it back.
const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const question = { role: 'user', content: 'What is the weather in Paris?' };
const callHeaders = {
  'x-fake-function-call': 'get_weather:{"city":"Paris"}',
  'x-fake-require-signatures': '1',
};

// Only the standard fields of the assistant message, as a client that keeps its own history would send it back
// (so a non-standard signature field, if the gateway sent one, cannot travel back with it).
function assistantTurn(content, toolCalls) {
  return {
    role: 'assistant',
    content,
    tool_calls: toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.function.name, arguments: c.function.arguments },
    })),
  };
}

function checkWeatherCall(call) {
  assert.equal(call.type, 'function');
  assert.equal(typeof call.id, 'string');
  assert.ok(call.id.length > 0, 'tool call id');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
}

async function answerToolCall(assistant, id) {
  const r = await client.chat.completions.create(
    {
      model: MODEL,
      tools,
      messages: [
        question,
        assistant,
        { role: 'tool', tool_call_id: id, content: JSON.stringify({ temperature: 21, unit: 'C' }) },
      ],
    },
    { headers: { 'x-fake-require-signatures': '1' } },
  );
  // After a function response the fake answers its fixed sentence.
  assert.equal(r.choices[0].message.content, 'Hello from the fake Gemini upstream.');
  assert.equal(r.choices[0].finish_reason, 'stop');
  return r;
}

await check('tool call round trip (thought signature restored)', async () => {
  const first = await client.chat.completions.create({ model: MODEL, messages: [question], tools }, {
    headers: callHeaders,
  });
  const choice = first.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.equal(choice.message.tool_calls?.length, 1);
  const call = choice.message.tool_calls[0];
  checkWeatherCall(call);
  await answerToolCall(assistantTurn(choice.message.content, choice.message.tool_calls), call.id);
  return `${call.id} ${call.function.name}(${call.function.arguments}) -> follow-up 200`;
});

await check('streamed tool call round trip (thought signature restored)', async () => {
  const stream = await client.chat.completions.create(
    { model: MODEL, messages: [question], tools, stream: true },
    { headers: { ...callHeaders, 'x-fake-chunks': '1' } },
  );
  // Assemble the tool calls from their deltas by index, as clients do.
  const calls = [];
  let finish = null;
  let content = '';
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta?.content ?? '';
    for (const d of choice.delta?.tool_calls ?? []) {
      const c = (calls[d.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (d.id) c.id = d.id;
      if (d.function?.name) c.function.name += d.function.name;
      if (d.function?.arguments) c.function.arguments += d.function.arguments;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  assert.equal(finish, 'tool_calls');
  assert.equal(calls.length, 1);
  checkWeatherCall(calls[0]);
  await answerToolCall(assistantTurn(content || null, calls), calls[0].id);
  return `${calls[0].id} ${calls[0].function.name}(${calls[0].function.arguments}) -> follow-up 200`;
});

// 4. Embeddings (the SDK asks for base64 unless told otherwise) and the model list.
await check('embeddings', async () => {
  const input = ['hello embeddings', 'another text'];
  const byDefault = await client.embeddings.create({ model: 'gemini-embedding-001', input });
  assert.equal(byDefault.object, 'list');
  assert.equal(byDefault.data.length, 2);
  byDefault.data.forEach((d, i) => {
    assert.equal(d.index, i);
    assert.ok(d.embedding.length > 0, 'a non-empty vector');
  });
  assert.notDeepEqual(Array.from(byDefault.data[0].embedding), Array.from(byDefault.data[1].embedding));
  // The same vectors as JSON numbers.
  const asFloat = await client.embeddings.create({ model: 'gemini-embedding-001', input, encoding_format: 'float' });
  assert.equal(asFloat.data.length, 2);
  asFloat.data.forEach((d, i) => {
    const b64 = byDefault.data[i].embedding;
    assert.equal(d.embedding.length, b64.length);
    d.embedding.forEach((v, k) => assert.ok(Math.abs(v - b64[k]) < 1e-6, `value ${k}: ${v} vs ${b64[k]}`));
  });
  const small = await client.embeddings.create({ model: 'gemini-embedding-001', input, dimensions: 8 });
  assert.deepEqual(
    small.data.map((d) => d.embedding.length),
    [8, 8],
  );
  return `2 vectors of ${byDefault.data[0].embedding.length} (base64 and float agree), dimensions: 8 honoured`;
});

await check('models', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.ok(ids.includes(MODEL), `${MODEL} in ${JSON.stringify(ids)}`);
  const one = await client.models.retrieve(MODEL);
  assert.equal(one.id, MODEL);
  assert.equal(one.object, 'model');
  return ids.join(', ');
});

// A wrong client key is refused by the gateway itself, in OpenAI's error shape.
await check('401 for a wrong key', async () => {
  const bad = new OpenAI({ apiKey: 'not-a-gemgate-key', baseURL: baseUrl + apiPath, maxRetries: 0 });
  await assert.rejects(bad.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), (e) => {
    assert.ok(e instanceof OpenAI.AuthenticationError, `${e.constructor.name}: ${e.message}`);
    assert.equal(e.status, 401);
    assert.equal(typeof e.error?.message, 'string');
    return true;
  });
});

if (failures > 0) {
  console.log(`OPENAI SDK FAILED: ${failures} check(s)`);
  process.exit(1);
}
console.log('OPENAI SDK OK');
