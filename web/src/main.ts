import './styles.css';
import { Api } from './api';
import { Auth, type Session } from './auth';
import { loadWebConfig } from './config';
import { announce, h, replace } from './ui/dom';
import { StreamsView } from './ui/streams-view';
import { UploadsView } from './ui/uploads-view';
import { xhrPutPart } from './upload/transport';

/** The page: signed out, a Sign in button; signed in, uploads, My uploads and, for administrators, Streams. */
async function main(): Promise<void> {
  const root = document.getElementById('main');
  const account = document.getElementById('account');
  if (!root || !account) return;

  let config: Awaited<ReturnType<typeof loadWebConfig>>;
  try {
    config = await loadWebConfig();
  } catch (error) {
    replace(root, h('p', { role: 'alert' }, `streamdrop cannot start: ${(error as Error).message}.`));
    return;
  }
  const auth = new Auth(config);
  const api = new Api(config.apiUrl, auth);
  let uploads: UploadsView | undefined;

  const signedOut = (notice?: string) => {
    uploads?.stop();
    uploads = undefined;
    replace(account);
    const signIn = h('button', { type: 'button', onclick: () => void auth.signIn() }, 'Sign in');
    replace(
      root,
      h(
        'section',
        { class: 'card welcome', 'aria-labelledby': 'welcome-heading' },
        h('h2', { id: 'welcome-heading' }, 'Upload files, get them back processed'),
        notice && h('p', { role: 'alert', class: 'notice' }, notice),
        h('p', {}, 'Sign in to upload files of any size, follow their processing and download the results.'),
        signIn,
      ),
    );
    signIn.focus();
  };

  const signedIn = (session: Session) => {
    replace(
      account,
      h('span', { class: 'who' }, `Signed in as ${session.email}`),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            const view = uploads;
            uploads = undefined;
            view?.stop();
            await auth.signOut();
            signedOut();
            announce('Signed out');
          },
        },
        'Sign out',
      ),
    );
    uploads = new UploadsView(api, xhrPutPart);
    const admin = session.groups.includes(config.adminGroup) ? new StreamsView(api) : undefined;
    replace(root, uploads.element, admin?.element);
    void uploads.load();
  };

  auth.onChange((session) => {
    // A refresh changes nothing on screen; a session that ended does.
    if (!session && uploads) signedOut('Your session has ended. Sign in again.');
  });

  try {
    const session = await auth.start();
    if (session) signedIn(session);
    else signedOut();
  } catch (error) {
    signedOut((error as Error).message);
  }
}

void main();
