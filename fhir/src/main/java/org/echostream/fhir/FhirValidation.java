package org.echostream.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * HAPI's instance validator against the FHIR R4 base profiles, value sets and code systems (no terminology server:
 * codes of external systems that the base does not carry, such as LOINC, are not looked up). Building it loads
 * the R4 base definitions (a few seconds): make one and keep it.
 */
public final class FhirValidation {

    /** @param errors messages of severity error or fatal, as "location: message" */
    public record Outcome(List<String> errors, List<String> warnings) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    private final FhirValidator validator;

    public FhirValidation(FhirContext context) {
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(context),
                new CommonCodeSystemsTerminologyService(context),
                new InMemoryTerminologyServerValidationSupport(context),
                new SnapshotGeneratingValidationSupport(context));
        this.validator = context.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
    }

    public Outcome validate(IBaseResource resource) {
        List<SingleValidationMessage> messages = validator.validateWithResult(resource).getMessages();
        return new Outcome(
                messages.stream().filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                        .map(FhirValidation::line).toList(),
                messages.stream().filter(m -> m.getSeverity() == ResultSeverityEnum.WARNING).map(FhirValidation::line).toList());
    }

    private static String line(SingleValidationMessage m) {
        return m.getLocationString() + ": " + m.getMessage();
    }
}
