import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { UserError } from '@streamdrop/cli-kit';
import type { Target } from '../targets';

/** A JWT of the user (`demo` or `admin` locally; --username/--password on a deployed stack). */
export async function token(target: Target, user: string | undefined, access: boolean): Promise<string> {
  const { username, password } = target.user(user);
  try {
    const result = await target.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: target.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const t = access ? result.AuthenticationResult?.AccessToken : result.AuthenticationResult?.IdToken;
    if (!t)
      throw new UserError(`Cognito answered without a token (challenge: ${result.ChallengeName ?? 'none'}).`);
    return t;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Sign-in as ${username} failed: ${(error as Error).message}`);
  }
}
