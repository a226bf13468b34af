// Drives the official @google/genai SDK against GemGate. Only the base URL and the key differ from talking to
// Google directly. Usage: node genai_smoke.mjs <gateway base URL> <GemGate client key>
import assert from 'node:assert/strict';
import { GoogleGenAI } from '@google/genai';

const [baseUrl, apiKey] = process.argv.slice(2);
if (!baseUrl || !apiKey) {
  console.error('usage: node genai_smoke.mjs <base URL> <client key>');
  process.exit(2);
}
const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl } });

const reply = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello sdk' });
assert.equal(reply.text, 'echo: hello sdk');
assert.ok(reply.usageMetadata.promptTokenCount > 0, 'usage metadata passes through');
console.log('generateContent ok:', JSON.stringify(reply.text));

let text = '';
let chunks = 0;
const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hello sdk' });
for await (const chunk of stream) {
  text += chunk.text ?? '';
  chunks += 1;
}
assert.equal(chunks, 3);
assert.equal(text, 'echo: hello sdk +1 +2');
console.log('generateContentStream ok:', chunks, 'chunks', JSON.stringify(text));

const tokens = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello sdk' });
assert.ok(tokens.totalTokens > 0);
console.log('countTokens ok:', tokens.totalTokens);

// A wrong client key is refused by the gateway itself, with Gemini's error shape.
const bad = new GoogleGenAI({ apiKey: 'not-a-gemgate-key', httpOptions: { baseUrl } });
await assert.rejects(bad.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }), (e) => {
  assert.equal(e.status, 401);
  return true;
});
console.log('401 ok');
console.log('SDK OK');
