import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TOOL_SCHEMAS, jsonSchemaOf, type ToolName } from './schemas';

describe('tools: one definition for every front end', () => {
  it("package.json's languageModelTools carry exactly the MCP tools' names, descriptions and schemas", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: {
        languageModelTools: Array<{
          name: string;
          modelDescription: string;
          inputSchema: unknown;
          canBeReferencedInPrompt: boolean;
          toolReferenceName: string;
        }>;
      };
    };
    const lm = pkg.contributes.languageModelTools;
    assert.deepEqual(
      lm.map((t) => t.name),
      (Object.keys(TOOL_SCHEMAS) as ToolName[]).map((n) => `tracefork_${n}`),
    );
    for (const t of lm) {
      const name = t.name.slice('tracefork_'.length) as ToolName;
      assert.equal(t.modelDescription, TOOL_SCHEMAS[name].description, `${t.name}: description`);
      assert.deepEqual(t.inputSchema, jsonSchemaOf(name), `${t.name}: schema (regenerate it from core/tools/schemas.ts)`);
      assert.ok(t.canBeReferencedInPrompt && /^tracefork[A-Z]\w+$/.test(t.toolReferenceName), `${t.name}: #${t.toolReferenceName}`);
    }
  });
});
