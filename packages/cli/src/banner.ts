import { describeFaults, faultsSection } from '@streamdrop/chaos';
import type { LocalConfig } from '@streamdrop/local';

/**
 * The ready banner: endpoints, users, and the end-to-end check (sign in, upload demo.txt, read
 * HELLO KINESIS back from the processed object) as copy-paste commands.
 */
export function readyBanner(
  c: LocalConfig,
  readyMs: number,
  stateDirLabel: string,
  routes: string[] = [],
): string {
  const { demo, admin } = c.users;
  const data = c.s3.buckets.data ?? c.s3.buckets.uploads ?? '<data bucket>';
  const awsEnv = `AWS_ACCESS_KEY_ID=${c.s3.accessKeyId} AWS_SECRET_ACCESS_KEY=${c.s3.secretAccessKey} AWS_REGION=${c.region} AWS_DEFAULT_REGION=${c.region}`;
  const authJson = JSON.stringify({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: c.cognito.clientId,
    AuthParameters: { USERNAME: demo.username, PASSWORD: demo.password },
  });
  const faults = faultsSection(c);
  const lines = [
    '',
    `streamdrop local stack is ready in ${(readyMs / 1000).toFixed(1)} s — Ctrl-C stops it (state kept in ${stateDirLabel}/)`,
    '',
    `  Web        ${c.webUrl}           sign in as demo or admin (below) through the hosted UI`,
    `  HTTP API   ${c.apiUrl}            ${routes.length > 0 ? routes.join(', ') : 'POST /uploads'} (JWT authorizer)`,
    `  Cognito    ${c.cognito.endpoint}  pool ${c.cognito.userPoolId}, app client ${c.cognito.clientId}`,
    `  S3         ${c.s3.endpoint}  buckets ${Object.entries(c.s3.buckets)
      .filter(([role]) => role === 'data' || role === 'failures')
      .map(([role, name]) => `${role}=${name}`)
      .join(', ')} (keys ${c.s3.accessKeyId}/${c.s3.secretAccessKey})`,
    `  Kinesis    ${c.kinesis.endpoint}  stream ${c.kinesis.streamName}`,
    ...(c.dynamodb ? [`  DynamoDB   ${c.dynamodb.endpoint}  table ${c.dynamodb.tables.join(', ')}`] : []),
    ...(faults?.settings
      ? [`  Faults     ${describeFaults(faults.settings, faults.crashTargets ?? [])}`]
      : []),
    ...(faults?.s3VersionLog ? [`  Versions   ${faults.s3VersionLog}`] : []),
    `  Config     ${stateDirLabel}/local.json`,
    '',
    '  Users',
    `    demo   ${demo.username}   ${demo.password}`,
    `    admin  ${admin.username}  ${admin.password}${c.adminGroup ? `  (group ${c.adminGroup})` : ''}`,
    '',
    '  Try it with the streamdrop CLI:',
    '    pnpm streamdrop upload --name demo.txt --content "hello kinesis" --wait',
    '',
    '  With curl (ID token; use .AccessToken for the access token):',
    `    TOKEN=$(curl -s ${c.cognito.endpoint}/ -H 'Content-Type: application/x-amz-json-1.1' \\`,
    `      -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \\`,
    `      -d '${authJson}' \\`,
    `      | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).AuthenticationResult.IdToken')`,
    `    curl -s -X POST ${c.apiUrl}/uploads -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `      -d '{"filename":"demo.txt","content":"hello kinesis"}' | tee /tmp/streamdrop-upload.json; echo`,
    `    KEY=$(node -pe 'JSON.parse(require("fs").readFileSync("/tmp/streamdrop-upload.json", "utf8")).file_key.replace(/^uploads\\//, "processed/")')`,
    `    until curl -sf ${c.s3.endpoint}/${data}/$KEY; do sleep 0.2; done; echo    # HELLO KINESIS`,
    '',
    '  With the AWS CLI:',
    `    export ${awsEnv}`,
    `    TOKEN=$(aws --endpoint-url ${c.cognito.endpoint} cognito-idp initiate-auth --auth-flow USER_PASSWORD_AUTH \\`,
    `      --client-id ${c.cognito.clientId} --auth-parameters USERNAME=${demo.username},PASSWORD=${demo.password} \\`,
    '      --query AuthenticationResult.IdToken --output text)',
    `    curl -s -X POST ${c.apiUrl}/uploads -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `      -d '{"filename":"demo.txt","content":"hello kinesis"}' | tee /tmp/streamdrop-upload.json; echo`,
    `    KEY=$(node -pe 'JSON.parse(require("fs").readFileSync("/tmp/streamdrop-upload.json", "utf8")).file_key.replace(/^uploads\\//, "processed/")')`,
    `    until aws --endpoint-url ${c.s3.endpoint} s3 cp "s3://${data}/$KEY" - 2>/dev/null; do sleep 0.2; done; echo    # HELLO KINESIS`,
    '',
  ];
  return lines.join('\n');
}
