import { useId } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { Role } from '../api/session';
import { useMe, useOrgKey } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { RoleSelect } from './RoleSelect';
import type { Member } from './teamQueries';

export function MemberRow({ member, manage, since }: { member: Member; manage: boolean; since: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const id = useId();
  const self = me.user?.id === member.userId;
  const name = member.displayName || member.email;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key('team') });

  const changeRole = useMutation({
    mutationFn: (role: Role) => unwrap(api.PATCH('/api/v1/team/{id}', { params: { path: { id: member.userId } }, body: { role } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/team/{id}', { params: { path: { id: member.userId } } })),
    onSettled: refresh,
  });
  // Non-owners cannot touch an owner (the server refuses too), and nobody demotes themselves by accident.
  const locked = self || (member.role === 'owner' && me.role !== 'owner');

  return (
    <tr>
      <td>
        <strong>{name}</strong>
        {self && <span className="badge">{t('team.you')}</span>}
        <div className="muted small">{member.email}</div>
      </td>
      <td>
        {manage && !locked ? (
          <>
            <label htmlFor={id} className="visually-hidden">
              {t('team.roleOf', { name })}
            </label>
            <RoleSelect
              control={{ id, 'aria-describedby': undefined, 'aria-invalid': undefined }}
              value={changeRole.isPending && changeRole.variables ? changeRole.variables : member.role}
              disabled={changeRole.isPending}
              onChange={(role) => changeRole.mutate(role)}
            />
          </>
        ) : (
          t(`roles.${member.role}`)
        )}
        <ErrorNote error={changeRole.error ?? remove.error} />
      </td>
      <td>{member.restrictedToAssigned ? t('team.assignedOnly', { count: member.personaIds.length }) : t('team.allPersonas')}</td>
      <td>{since}</td>
      {manage && (
        <td>
          {!locked && (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => window.confirm(t('team.confirmRemove', { name })) && remove.mutate()}
            >
              {t('team.remove', { name })}
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
