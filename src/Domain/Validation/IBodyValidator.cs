using System.Text.Json.Serialization.Metadata;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>
/// The one place a request body's rules live: what a bound body must hold, each refusal with its exact message. The
/// Api binds a body with <see cref="BodyBinder"/> and hands the handler only what <see cref="Validate"/> returns.
/// </summary>
public interface IBodyValidator<T> : IBodyValidator where T : class
{
    /// <summary>The record's source-generated JSON contract (<c>OdJsonContext</c>).</summary>
    JsonTypeInfo<T> Type { get; }

    /// <summary>The refusal for a body that is JSON but not an object.</summary>
    string NotAnObject => "the request body must be a JSON object";

    /// <summary>The body as the handler may use it (normalised), or a 400 naming the first field that breaks a rule.</summary>
    /// <param name="body">The bound body; values of the wrong type are null here and listed in <paramref name="wrong"/>.</param>
    T Validate(T body, WrongTypes wrong);
}

/// <summary>What is known of a body validator without its record type (the OpenAPI document asks).</summary>
public interface IBodyValidator
{
    /// <summary>Whether an empty body stands for <c>{}</c>; otherwise it is refused as missing.</summary>
    bool Optional => false;
}
