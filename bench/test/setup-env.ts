// The SDK warns once per process that Node 20 is near its end of support; the tests run on it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
