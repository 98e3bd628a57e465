import { useTranslation } from 'react-i18next';
import type { Role } from '../api/session';
import { useMe } from '../app/me';
import type { ControlProps } from '../ui/Field';

export const roles: Role[] = ['owner', 'admin', 'manager', 'chatter', 'viewer'];

/** Only an owner may hand out the owner role, so others are not offered it. */
export function RoleSelect({ value, onChange, disabled, control }: { value: Role; onChange: (role: Role) => void; disabled?: boolean; control: ControlProps }) {
  const { t } = useTranslation();
  const me = useMe();
  const offered = roles.filter((r) => r !== 'owner' || me.role === 'owner' || value === 'owner');
  return (
    <select {...control} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {offered.map((role) => (
        <option key={role} value={role} disabled={role === 'owner' && me.role !== 'owner'}>
          {t(`roles.${role}`)}
        </option>
      ))}
    </select>
  );
}
