// CustomMessage: a callback-style Lambda handler, unchanged from what you would deploy.
// Writes its own text for sign-up codes and password resets; every other message keeps the
// pool's template. The text must contain {####} (request.codeParameter), which the pool
// replaces with the code: the outbox shows the result.
//
// Configure with  node:/abs/path/examples/triggers/custom_message.js#handler
exports.handler = function (event, context, callback) {
  const code = event.request.codeParameter;
  if (event.triggerSource === 'CustomMessage_SignUp' || event.triggerSource === 'CustomMessage_ResendCode') {
    event.response.emailSubject = 'Welcome to Example Corp';
    event.response.emailMessage = `Welcome, ${event.userName}! Your confirmation code is ${code}.`;
    event.response.smsMessage = `Example Corp code: ${code}`;
  } else if (event.triggerSource === 'CustomMessage_ForgotPassword') {
    event.response.emailSubject = 'Reset your Example Corp password';
    event.response.emailMessage = `Someone asked to reset your password. The code is ${code}.`;
    event.response.smsMessage = `Example Corp reset code: ${code}`;
  }
  callback(null, event);
};
