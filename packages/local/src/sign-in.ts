import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { localCognitoClient } from './clients';
import { LocalError } from './errors';
import type { LocalConfig } from './local-config';

export interface LocalTokens {
  id: string;
  access: string;
  refresh: string;
}

/** Signs one of the local stack's users in (USER_PASSWORD_AUTH against cognito-local). */
export async function signInLocalUser(
  config: LocalConfig,
  user: 'demo' | 'admin' = 'demo',
): Promise<LocalTokens> {
  const { cognito, region, users } = config;
  const client = localCognitoClient(cognito.endpoint, region);
  try {
    const result = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: cognito.clientId,
        AuthParameters: { USERNAME: users[user].username, PASSWORD: users[user].password },
      }),
    );
    const auth = result.AuthenticationResult;
    if (!auth?.IdToken || !auth.AccessToken) throw new LocalError('cognito-local answered without tokens');
    return { id: auth.IdToken, access: auth.AccessToken, refresh: auth.RefreshToken ?? '' };
  } finally {
    client.destroy();
  }
}
