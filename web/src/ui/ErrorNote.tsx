import { useErrorText } from './errors';

/** A failed request, said in words; renders nothing without an error. */
export function ErrorNote({ error }: { error: unknown }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {text(error)}
    </p>
  );
}
