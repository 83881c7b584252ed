namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>The rules most body fields share, each message written once.</summary>
public static class FieldRules
{
    /// <summary>An optional string of at most <paramref name="maxLength"/> characters; <paramref name="message"/> replaces both default messages.</summary>
    public static string? Text(string? value, bool wrongType, string name, int maxLength, string? message = null)
    {
        if (wrongType) throw DomainException.Invalid(message ?? $"{name} must be a string");
        if (value is not null && value.Length > maxLength) throw DomainException.Invalid(message ?? $"{name} must be at most {maxLength} characters");
        return value;
    }

    /// <summary>As <see cref="Text"/>, and neither missing nor blank.</summary>
    public static string RequiredText(string? value, bool wrongType, string name, int maxLength)
    {
        var text = Text(value, wrongType, name, maxLength);
        if (string.IsNullOrWhiteSpace(text)) throw DomainException.Invalid($"{name} is required");
        return text;
    }
}
