// PreTokenGeneration (V2_0): a plain Lambda handler, unchanged from what you would deploy.
// Adds a `tenant` claim to both tokens (from the user's custom:tenant attribute, or "demo"),
// adds an `orders:read` scope to the access token, and removes `email` from the access
// token's claims should it be there. console.log goes to the pool's log, not the answer.
//
// Configure with a pool whose PreTokenGenerationConfig is
//   {"LambdaVersion": "V2_0", "LambdaArn": "node:/abs/path/examples/triggers/pre_token_generation.js#handler"}
exports.handler = async (event, context) => {
  const tenant = event.request.userAttributes['custom:tenant'] || 'demo';
  console.log(`${context.functionName}: ${event.triggerSource} for ${event.userName}`);
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: {
        claimsToAddOrOverride: { tenant },
      },
      accessTokenGeneration: {
        claimsToAddOrOverride: { tenant },
        claimsToSuppress: ['email'],
        scopesToAdd: ['orders:read'],
      },
    },
  };
  return event;
};
