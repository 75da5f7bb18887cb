// The model-API mock as a process of its own (for tests whose agents run elsewhere, e.g. under
// VS Code): `node --import tsx mockModelsMain.ts [PORT]` prints its URL; GET /__requests lists the calls.
import { startMockModels } from './mockModels';

void startMockModels(Number(process.argv[2] ?? 0)).then((m) => console.log(m.url));
