import { useState, type InputHTMLAttributes } from 'react';
import type { ControlProps } from './Field';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
  control: ControlProps;
  value: number | undefined;
  /** undefined when the field is empty. */
  onChange: (value: number | undefined) => void;
};

/** A number field that keeps what is typed ("0." on the way to "0.5") while reporting numbers. */
export function NumberInput({ control, value, onChange, ...rest }: Props) {
  const [text, setText] = useState(value === undefined || Number.isNaN(value) ? '' : String(value));
  return (
    <input
      {...control}
      {...rest}
      type="number"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(e.target.value.trim() === '' ? undefined : e.target.valueAsNumber);
      }}
    />
  );
}
