import { useTranslation } from 'react-i18next';
import { logout } from '../api/client';
import { useMe } from '../app/me';
import { LanguageSwitcher } from './LanguageSwitcher';
import { OrgSwitcher } from './OrgSwitcher';
import { PersonaSwitcher } from './PersonaSwitcher';

export function Header() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <header className="topbar">
      <span className="brand">{t('app.name')}</span>
      <OrgSwitcher />
      <PersonaSwitcher />
      <div className="topbar-end">
        <LanguageSwitcher />
        <span className="who" title={me.user?.email}>
          {me.user?.displayName ?? t('header.apiKey')} · {t(`roles.${me.role}`)}
        </span>
        <button type="button" onClick={() => void logout()}>
          {t('header.signOut')}
        </button>
      </div>
    </header>
  );
}
