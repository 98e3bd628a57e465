import { useState } from 'react';
import type { ControlProps } from '../../../ui/Field';
import { splitList } from './draft';

/** A comma-separated list in one text field; what is typed stays as typed (a trailing comma too). */
export function ListInput({ control, value, onChange, readOnly }: { control: ControlProps; value: string[]; onChange: (v: string[]) => void; readOnly?: boolean }) {
  const [text, setText] = useState(value.join(', '));
  // A list changed from outside (an import, a removed row) replaces what was typed.
  const shown = splitList(text).join('\n') === value.join('\n') ? text : value.join(', ');
  return (
    <input
      {...control}
      value={shown}
      readOnly={readOnly}
      onChange={(e) => {
        setText(e.target.value);
        onChange(splitList(e.target.value));
      }}
    />
  );
}
