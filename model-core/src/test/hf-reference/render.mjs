// Renders chat templates as Hugging Face does (transformers.js apply_chat_template), for ChatTemplateConformanceTest.
// usage: node render.mjs request.json > response.json
// request: {"models": [{"name", "dir"}], "conversations": [{"messages": [...], "add_generation_prompt": bool}]}
// response: {"<name>": [{"text": "...", "ids": [...]} | {"error": "..."}]} in the order of the conversations.
// "dir" holds tokenizer.json and tokenizer_config.json. A config with "legacy": false is loaded with "legacy": true:
// Hugging Face's default (fast) tokenizer behaves as transformers.js does with legacy true.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';

env.allowRemoteModels = false;
env.allowLocalModels = true;

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = {};
for (const model of request.models) {
  let dir = path.resolve(model.dir);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  if (config.legacy === false) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-reference-'));
    fs.copyFileSync(path.join(dir, 'tokenizer.json'), path.join(tmp, 'tokenizer.json'));
    fs.writeFileSync(path.join(tmp, 'tokenizer_config.json'), JSON.stringify({ ...config, legacy: true }));
    dir = tmp;
  }
  env.localModelPath = path.dirname(dir) + path.sep;
  const tokenizer = await AutoTokenizer.from_pretrained(path.basename(dir));
  out[model.name] = request.conversations.map((c) => {
    try {
      const options = { add_generation_prompt: c.add_generation_prompt };
      const text = tokenizer.apply_chat_template(c.messages, { ...options, tokenize: false });
      const ids = tokenizer.apply_chat_template(c.messages, { ...options, tokenize: true, return_tensor: false });
      return { text, ids: Array.from(ids, Number) };
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
}
process.stdout.write(JSON.stringify(out));
