/** A tool's, chain's or retriever's input and output: values as JSON, documents as a list. */
import type { Document, StepIO } from '../../src/shared/protocol';
import type { Step } from '../../src/shared/protocol';
import { JsonView } from './JsonView';
import { KeyValueTable, Section, TraceText } from './Section';

/** Input and Output sections for the step's values and documents; nothing when it has neither. */
export function IoValues({ step }: { step: Step }) {
  return (
    <>
      <IoSection title="Input" io={step.input} />
      <IoSection title="Output" io={step.output} />
    </>
  );
}

function IoSection({ title, io }: { title: string; io: StepIO | null }) {
  const hasValue = io?.value !== undefined;
  const docs = io?.documents ?? [];
  if (!io || (!hasValue && docs.length === 0)) return null;
  return (
    <Section title={title}>
      {hasValue && <JsonView name="value" value={io.value} expand={2} />}
      {docs.length > 0 && (
        <details class="documents" open>
          <summary>
            documents <span class="badge">{docs.length}</span>
          </summary>
          {docs.map((d, i) => (
            <DocumentView key={d.id ?? i} doc={d} n={i} />
          ))}
        </details>
      )}
    </Section>
  );
}

function DocumentView({ doc, n }: { doc: Document; n: number }) {
  const rows = [{ key: 'id', value: doc.id ?? `#${n}` }, ...(doc.score != null ? [{ key: 'score', value: String(doc.score) }] : [])];
  return (
    <div class="document">
      <KeyValueTable rows={rows} />
      {doc.content != null && <TraceText class="document-content" text={doc.content} />}
      {doc.metadata !== undefined && doc.metadata !== null && <JsonView name="metadata" value={doc.metadata} expand={0} />}
    </div>
  );
}
