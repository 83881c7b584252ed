using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

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
        if (TryBindInOnePass(json, validator.Type, out var plain))
        {
            return plain is null ? throw DomainException.Invalid(validator.NotAnObject) : validator.Validate(plain, WrongTypes.None);
        }
        // Once for the whole body, so no rule meets a string it cannot read, ignored fields included.
        JsonText.EnsureValid(json);
        var (body, wrong) = JsonBinding.Bind(json, validator.Type);
        if (body is null) throw DomainException.Invalid(validator.NotAnObject);
        return validator.Validate(body, wrong);
    }

    /// <summary>
    /// The common case, a body with nothing wrong, in one reader pass instead of two (the request-only generate path's
    /// hottest parsing). Taken only when it cannot judge differently from the full path: the whole body is valid UTF-8
    /// and holds no backslash, so every string is text without looking at each; the reader has the options
    /// <see cref="JsonText.EnsureValid"/> uses (depth, no comments), reads every token including ignored members and is
    /// then asked for anything after the value. Any refusal (syntax, depth, a value of the wrong type) returns false, and
    /// the full path judges the body from the start, so its answer and its order of checks are unchanged.
    /// </summary>
    private static bool TryBindInOnePass<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type, out T? value) where T : class
    {
        value = null;
        if (json.Contains((byte)'\\') || !Utf8.IsValid(json)) return false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonText.MaxDepth });
        try
        {
            value = JsonSerializer.Deserialize(ref reader, type);
            // Trailing content: whitespace ends the reader, anything else throws as the full path's reader would.
            if (reader.Read()) return false;
        }
        catch (JsonException)
        {
            value = null;
            return false;
        }
        return true;
    }
}
