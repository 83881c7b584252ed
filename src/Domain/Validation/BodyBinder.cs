namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>A request body's bytes to its validated record: JSON syntax and text checked over the whole body, bound, then judged.</summary>
public static class BodyBinder
{
    public const string RequiredMessage = "a JSON body is required";

    public static T Bind<T>(ReadOnlySpan<byte> json, IBodyValidator<T> validator) where T : class
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            if (!validator.Optional) throw DomainException.Invalid(RequiredMessage);
            json = "{}"u8;
        }
        // Once for the whole body, so no rule meets a string it cannot read, ignored fields included.
        JsonText.EnsureValid(json);
        var (body, wrong) = JsonBinding.Bind(json, validator.Type);
        if (body is null) throw DomainException.Invalid(validator.NotAnObject);
        return validator.Validate(body, wrong);
    }
}
