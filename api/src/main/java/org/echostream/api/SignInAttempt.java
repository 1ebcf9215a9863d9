package org.echostream.api;

/**
 * A password sign-in (form login or HTTP Basic) as the identity provider judged it, left on the request's
 * routing context for the audit record: a failed one names the user it tried, a form login's success names
 * the user before any session exists.
 */
record SignInAttempt(String user, boolean succeeded) {

    static final String KEY = "echostream.sign-in";
}
