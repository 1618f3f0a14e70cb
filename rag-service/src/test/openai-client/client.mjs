// The official openai npm client, unmodified, against rag-service's OpenAI-compatible API.
// Usage: RAG_BASE_URL=http://localhost:8080/v1 RAG_API_KEY=... RAG_MODEL=support-bot:staging node client.mjs
// Prints one JSON object with what the client saw; OpenAiClientTest asserts on it.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.RAG_BASE_URL, apiKey: process.env.RAG_API_KEY, maxRetries: 0 });
const model = process.env.RAG_MODEL;
const messages = [{ role: 'user', content: 'Tell me about the river.' }];
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => ({ id: m.id, object: m.object, owned_by: m.owned_by, created: m.created }));

const completion = await client.chat.completions.create({ model, messages, max_tokens: 8, retrieval: false });
out.completion = {
  id: completion.id,
  object: completion.object,
  model: completion.model,
  content: completion.choices[0].message.content,
  role: completion.choices[0].message.role,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
  adapter: completion.adapter,
  sources: completion.sources,
};

const stream = await client.chat.completions.create({ model, messages, max_tokens: 8, retrieval: false, stream: true });
const deltas = [];
let finish = null;
let usage = null;
let chunks = 0;
let objects = new Set();
for await (const chunk of stream) {
  chunks++;
  objects.add(chunk.object);
  const choice = chunk.choices[0];
  if (choice) {
    if (choice.delta && typeof choice.delta.content === 'string') deltas.push(choice.delta.content);
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (chunk.usage) usage = chunk.usage;
}
out.stream = { content: deltas.join(''), finish_reason: finish, usage, chunks, objects: [...objects] };

try {
  await client.chat.completions.create({ model: 'ghost-adapter', messages, max_tokens: 4 });
  out.error = null;
} catch (e) {
  out.error = { name: e.constructor.name, status: e.status, code: e.code, type: e.type, message: e.message };
}

console.log(JSON.stringify(out));
