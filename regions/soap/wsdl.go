package soap

import _ "embed" // the WSDL travels inside the binary

// WSDL is the WSDL 1.1 description of the methods this package calls
// (eregistry.wsdl beside this file). The simulator serves it at ?wsdl, and
// a test checks the messages of both sides against it.
//
//go:embed eregistry.wsdl
var WSDL []byte
