package org.echostream.k8s.check;

/**
 * One thing wrong with the rendered manifests, said so a person can fix it.
 *
 * @param object the object it is about ("Deployment echostream/echostream-ingest")
 * @param path   where in the object (".spec.template.spec.containers[0].image"), "" for the whole object
 * @param fact   what is wrong, and where relevant what was expected
 */
public record Finding(String object, String path, String fact) {

    @Override
    public String toString() {
        return object + (path.isEmpty() ? "" : " " + path) + ": " + fact;
    }
}
