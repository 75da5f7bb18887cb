/**
 * Codicons from @vscode/codicons, bundled as SVG text (esbuild `loader: {'.svg': 'text'}`).
 * Each file is one <svg> of <path> elements; their attributes are read once and rendered as
 * Preact elements into one hidden sprite of <symbol>s, so no markup is ever injected as HTML,
 * not even these static files. Icons are `<use href="#codicon-…">`: cheap to
 * create and patch while the virtual list scrolls.
 */
import type { StepKind } from '../src/shared/protocol';
import checklist from '@vscode/codicons/src/icons/checklist.svg';
import chevronDown from '@vscode/codicons/src/icons/chevron-down.svg';
import chevronRight from '@vscode/codicons/src/icons/chevron-right.svg';
import circle from '@vscode/codicons/src/icons/circle.svg';
import error from '@vscode/codicons/src/icons/error.svg';
import goToFile from '@vscode/codicons/src/icons/go-to-file.svg';
import hubot from '@vscode/codicons/src/icons/hubot.svg';
import link from '@vscode/codicons/src/icons/link.svg';
import repoForked from '@vscode/codicons/src/icons/repo-forked.svg';
import beaker from '@vscode/codicons/src/icons/beaker.svg';
import save from '@vscode/codicons/src/icons/save.svg';
import add from '@vscode/codicons/src/icons/add.svg';
import trash from '@vscode/codicons/src/icons/trash.svg';
import debugAlt from '@vscode/codicons/src/icons/debug-alt.svg';
import play from '@vscode/codicons/src/icons/play.svg';
import pass from '@vscode/codicons/src/icons/pass.svg';
import search from '@vscode/codicons/src/icons/search.svg';
import shield from '@vscode/codicons/src/icons/shield.svg';
import sparkle from '@vscode/codicons/src/icons/sparkle.svg';
import symbolArray from '@vscode/codicons/src/icons/symbol-array.svg';
import tools from '@vscode/codicons/src/icons/tools.svg';
import warning from '@vscode/codicons/src/icons/warning.svg';

const SOURCES = {
  checklist,
  'chevron-down': chevronDown,
  'chevron-right': chevronRight,
  // `circle-outline` is an alias of `circle` in codicons' mapping.json.
  'circle-outline': circle,
  error,
  'go-to-file': goToFile,
  hubot,
  link,
  'repo-forked': repoForked,
  beaker,
  save,
  add,
  trash,
  'debug-alt': debugAlt,
  play,
  pass,
  search,
  shield,
  sparkle,
  'symbol-array': symbolArray,
  tools,
  warning,
};

/** The name of a bundled codicon. */
export type IconName = keyof typeof SOURCES;

/** The codicon for each step kind. */
export const KIND_ICON: Record<StepKind, IconName> = {
  llm: 'sparkle',
  tool: 'tools',
  retrieval: 'search',
  embedding: 'symbol-array',
  agent: 'hubot',
  chain: 'link',
  guardrail: 'shield',
  evaluator: 'checklist',
  other: 'circle-outline',
};

interface PathData {
  d: string;
  evenOdd: boolean;
}

const parsed = new Map<IconName, PathData[]>();

/** The <path> elements of a codicon file: their `d` and whether they use the even-odd rule. */
export function iconPaths(name: IconName): PathData[] {
  let paths = parsed.get(name);
  if (!paths) {
    paths = [...SOURCES[name].matchAll(/<path\b([^>]*)>/g)].map((m) => ({
      d: /\sd="([^"]*)"/.exec(m[1])?.[1] ?? '',
      evenOdd: /fill-rule="evenodd"/.test(m[1]),
    }));
    parsed.set(name, paths);
  }
  return paths;
}

/** The hidden sprite every Icon points into; render it once. */
export function IconSprite() {
  return (
    <svg class="codicon-sprite" aria-hidden="true" width="0" height="0">
      {(Object.keys(SOURCES) as IconName[]).map((name) => (
        <symbol key={name} id={`codicon-${name}`} viewBox="0 0 16 16">
          {iconPaths(name).map((p, i) => (
            <path key={i} d={p.d} fill-rule={p.evenOdd ? 'evenodd' : undefined} clip-rule={p.evenOdd ? 'evenodd' : undefined} />
          ))}
        </symbol>
      ))}
    </svg>
  );
}

/** A 16×16 codicon in the current text colour; decorative unless given a `label`. */
export function Icon({ name, class: cls, label }: { name: IconName; class?: string; label?: string }) {
  return (
    <svg
      class={cls ? `codicon ${cls}` : 'codicon'}
      width="16"
      height="16"
      fill="currentColor"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
    >
      {label && <title>{label}</title>}
      <use href={`#codicon-${name}`} />
    </svg>
  );
}
