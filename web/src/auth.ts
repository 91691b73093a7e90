import type { WebConfig } from '@streamdrop/config';
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

/** What the page needs to know of the person signed in. */
export interface Session {
  readonly email: string;
  readonly groups: readonly string[];
}

/** The hosted UI sent the person back with an error, or the code could not be exchanged. */
export class SignInError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignInError';
  }
}

/** Seconds before the access token expires when it is refreshed (oidc-client-ts's timer). */
export const REFRESH_AHEAD_SECONDS = 120;

/**
 * Sign-in through the hosted UI with the authorization-code flow and PKCE (oidc-client-ts does
 * the protocol), tokens kept in this tab's sessionStorage only, refreshed with the refresh token
 * before they expire, and sign-out. The endpoints are given, not discovered: Cognito's hosted
 * UI domain serves no discovery document, and cognito-local's names localhost:9229 whatever
 * its port.
 */
export class Auth {
  private readonly manager: UserManager;
  private readonly redirectUri: string;

  constructor(
    private readonly config: WebConfig,
    private readonly location: Pick<Location, 'origin' | 'href' | 'assign'> = window.location,
    private readonly history: Pick<History, 'replaceState'> = window.history,
    storage: Storage = window.sessionStorage,
  ) {
    this.redirectUri = `${location.origin}/`;
    const { auth } = config;
    this.manager = new UserManager({
      authority: auth.issuer,
      metadata: {
        issuer: auth.issuer,
        authorization_endpoint: auth.authorizeUrl,
        token_endpoint: auth.tokenUrl,
        ...(auth.revokeUrl ? { revocation_endpoint: auth.revokeUrl } : {}),
      },
      client_id: auth.clientId,
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: auth.scopes.join(' '),
      // The ID token says all the page shows; Cognito's userinfo would be one more origin to allow.
      loadUserInfo: false,
      monitorSession: false,
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: REFRESH_AHEAD_SECONDS,
      userStore: new WebStorageStateStore({ store: storage }),
      stateStore: new WebStorageStateStore({ store: storage }),
    });
  }

  /**
   * Finishes a sign-in when the hosted UI has just sent the person back (`?code=…&state=…`),
   * cleaning the code out of the address bar; otherwise picks up this tab's session, if any.
   */
  async start(): Promise<Session | undefined> {
    const url = new URL(this.location.href);
    const error = url.searchParams.get('error');
    if (url.searchParams.has('code') || error) {
      this.history.replaceState(null, '', '/');
      if (error) {
        throw new SignInError(
          `Sign-in did not complete: ${url.searchParams.get('error_description') ?? error}.`,
        );
      }
      try {
        return sessionOf(await this.manager.signinRedirectCallback(url.href));
      } catch (cause) {
        throw new SignInError(
          'Sign-in did not complete: the sign-in page’s answer was not accepted. Sign in again.',
          {
            cause,
          },
        );
      }
    }
    const user = await this.manager.getUser();
    if (!user) return undefined;
    if (!user.expired) return sessionOf(user);
    // A tab reopened after the token expired: the refresh token may still be good.
    return (await this.refresh()) ? this.session() : undefined;
  }

  /** Goes to the hosted UI's sign-in page; it comes back to this page with a code. */
  async signIn(): Promise<void> {
    await this.manager.signinRedirect();
  }

  /** The current session, or undefined when signed out. */
  async session(): Promise<Session | undefined> {
    const user = await this.manager.getUser();
    return user && !user.expired ? sessionOf(user) : undefined;
  }

  /** A valid access token for the API, refreshed first when it has expired; undefined when signed out. */
  async accessToken(): Promise<string | undefined> {
    const user = await this.manager.getUser();
    if (!user) return undefined;
    if (!user.expired) return user.access_token;
    return (await this.refresh()) ? (await this.manager.getUser())?.access_token : undefined;
  }

  /** Exchanges the refresh token for new tokens now; false when there is no session to refresh. */
  async refresh(): Promise<boolean> {
    try {
      return (await this.manager.signinSilent()) !== null;
    } catch {
      await this.manager.removeUser();
      return false;
    }
  }

  /** Called after every change of session: sign-in, refresh, sign-out, or a refresh that failed. */
  onChange(listener: (session: Session | undefined) => void): void {
    this.manager.events.addUserLoaded((user) => listener(sessionOf(user)));
    this.manager.events.addUserUnloaded(() => listener(undefined));
    this.manager.events.addUserSignedOut(() => listener(undefined));
    this.manager.events.addSilentRenewError(() => {
      void this.manager.removeUser();
    });
  }

  /**
   * Forgets this tab's tokens and, where the hosted UI has them, revokes the refresh token (with
   * every access token it issued) and ends the hosted UI's own session, which comes back here.
   */
  async signOut(): Promise<void> {
    const { revokeUrl, logoutUrl, clientId } = this.config.auth;
    if (revokeUrl) await this.manager.revokeTokens(['refresh_token']).catch(() => undefined);
    await this.manager.removeUser();
    if (logoutUrl) {
      const url = new URL(logoutUrl);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('logout_uri', this.redirectUri);
      this.location.assign(url.href);
    }
  }
}

function sessionOf(user: User): Session {
  const { profile } = user;
  const groups = profile['cognito:groups'];
  return {
    email: typeof profile.email === 'string' ? profile.email : String(profile.sub),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
  };
}
