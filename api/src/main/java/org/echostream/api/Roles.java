package org.echostream.api;

/** The two roles of the API: clinicians read, admins also run batch jobs and see configuration. */
final class Roles {

    static final String CLINICIAN = "clinician";
    static final String ADMIN = "admin";

    private Roles() {
    }
}
