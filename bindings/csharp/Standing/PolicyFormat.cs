using System;
using System.IO;

namespace Standing
{
    /// <summary>How a policy (a <c>standing.v1.Policy</c>) is encoded (<c>standing_policy_format</c>).</summary>
    public enum PolicyFormat
    {
        /// <summary>The protobuf JSON mapping, UTF-8 (lowerCamelCase field names, enums as strings).</summary>
        Json = 0,
        /// <summary>The protobuf text format.</summary>
        Text = 1,
        /// <summary>The protobuf binary wire format.</summary>
        Binary = 2,
    }

    internal static class PolicyFormats
    {
        /// <summary>The format of a policy file by its suffix, or null.</summary>
        internal static PolicyFormat? FromPath(string path) =>
            Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".json" => PolicyFormat.Json,
                ".txtpb" or ".textproto" or ".pbtxt" or ".txt" => PolicyFormat.Text,
                ".binpb" or ".pb" or ".bin" => PolicyFormat.Binary,
                _ => null,
            };

        /// <summary>JSON when the text starts with '{', else the text format.</summary>
        internal static PolicyFormat Sniff(ReadOnlySpan<char> text) =>
            text.TrimStart().StartsWith("{", StringComparison.Ordinal) ? PolicyFormat.Json : PolicyFormat.Text;

        /// <summary>JSON when the bytes start with '{'; text when they are UTF-8 starting with a
        /// letter or '#'; binary otherwise.</summary>
        internal static PolicyFormat Sniff(ReadOnlySpan<byte> data)
        {
            int i = 0;
            while (i < data.Length && (data[i] == (byte)' ' || data[i] == (byte)'\t' || data[i] == (byte)'\r' || data[i] == (byte)'\n'))
            {
                i++;
            }
            if (i == data.Length)
            {
                return PolicyFormat.Json; // empty: the library says what is wrong
            }
            byte head = data[i];
            if (head == (byte)'{')
            {
                return PolicyFormat.Json;
            }
            if (System.Text.Unicode.Utf8.IsValid(data)
                && (head == (byte)'#' || (head | 0x20) is >= (byte)'a' and <= (byte)'z'))
            {
                return PolicyFormat.Text;
            }
            return PolicyFormat.Binary;
        }
    }
}
