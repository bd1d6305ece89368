namespace FactoryPulse.Dump.Data;

/// <summary>
/// Counts rows of a binary COPY stream by walking its framing only (field counts and lengths), never decoding
/// values; chunks may split anywhere. Also tells whether the trailer was seen, i.e. the stream is whole.
/// </summary>
internal struct BinaryCopyRowCounter
{
    private const int SignatureAndFlagsLength = 15; // "PGCOPY\n\xff\r\n\0" + int32 flags

    private static ReadOnlySpan<byte> Signature => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    private enum State
    {
        Signature,
        ExtensionLength,
        Extension,
        FieldCount,
        FieldLength,
        FieldData,
        Done,
    }

    private State _state;
    private long _skip;
    private int _width;
    private int _have;
    private uint _value;
    private int _fieldsLeft;
    private bool _started;

    public long Rows { get; private set; }

    public readonly bool SawTrailer => _state == State.Done;

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (!_started)
        {
            _started = true;
            _state = State.Signature;
            _skip = SignatureAndFlagsLength;
        }
        var i = 0;
        while (i < data.Length)
        {
            if (_state == State.FieldCount && _skip == 0 && _have == 0)
            {
                i += CountWholeRows(data[i..]);
                if (i == data.Length)
                    break;
            }
            if (_state == State.Done)
                throw new InvalidDataException("Binary COPY data continues after its trailer.");
            if (_skip > 0)
            {
                var n = (int)Math.Min(_skip, data.Length - i);
                if (_state == State.Signature)
                    CheckSignature(data.Slice(i, n), SignatureAndFlagsLength - (int)_skip);
                i += n;
                _skip -= n;
                if (_skip == 0)
                    AfterSkip();
                continue;
            }
            uint value;
            if (_have == 0 && data.Length - i >= _width)
            {
                // Fast path: the whole integer is in this chunk (almost always).
                value = _width == 2 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(data[i..]) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
                i += _width;
            }
            else
            {
                _value = (_value << 8) | data[i];
                i++;
                if (++_have < _width)
                    continue;
                value = _value;
                _value = 0;
                _have = 0;
            }
            OnInteger(value);
        }
    }

    /// <summary>Whether the skipped header bytes are the COPY signature: anything else is not a binary COPY stream.</summary>
    private static void CheckSignature(ReadOnlySpan<byte> bytes, int offset)
    {
        for (var k = 0; k < bytes.Length && offset + k < Signature.Length; k++)
        {
            if (bytes[k] != Signature[offset + k])
                throw new InvalidDataException("The data does not start with the binary COPY signature.");
        }
    }

    /// <summary>
    /// The hot path: walks the rows that lie wholly in <paramref name="data"/> (a row starts there), one tight loop per
    /// row instead of a state transition per field. Stops before a row that is cut off by the end of the chunk, the
    /// trailer or anything malformed; the state machine takes those from there. Returns the bytes consumed.
    /// </summary>
    private int CountWholeRows(ReadOnlySpan<byte> data)
    {
        var position = 0;
        long rows = 0;
        while (data.Length - position >= 2)
        {
            var fields = (short)System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (fields < 0)
                break;
            var next = position + 2;
            var whole = true;
            for (var field = 0; field < fields; field++)
            {
                if (data.Length - next < 4)
                {
                    whole = false;
                    break;
                }
                var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[next..]);
                next += 4;
                if (length < -1 || length > data.Length - next)
                {
                    whole = false;
                    break;
                }
                if (length > 0)
                    next += length;
            }
            if (!whole)
                break;
            rows++;
            position = next;
        }
        Rows += rows;
        return position;
    }

    private void Expect(State state, int width)
    {
        _state = state;
        _width = width;
    }

    private void Skip(State state, long count)
    {
        _state = state;
        _skip = count;
        if (count == 0)
            AfterSkip();
    }

    private void AfterSkip()
    {
        switch (_state)
        {
            case State.Signature:
                Expect(State.ExtensionLength, 4);
                break;
            case State.Extension:
                Expect(State.FieldCount, 2);
                break;
            case State.FieldData:
                FieldDone();
                break;
        }
    }

    private void FieldDone()
    {
        if (--_fieldsLeft == 0)
            Expect(State.FieldCount, 2);
        else
            Expect(State.FieldLength, 4);
    }

    private void OnInteger(uint value)
    {
        switch (_state)
        {
            case State.ExtensionLength:
                Skip(State.Extension, value);
                break;
            case State.FieldCount:
                var fields = (short)(ushort)value;
                if (fields == -1)
                {
                    _state = State.Done;
                    return;
                }
                if (fields < 0)
                    throw new InvalidDataException($"Binary COPY tuple claims {fields} fields.");
                Rows++;
                _fieldsLeft = fields;
                if (fields > 0)
                    Expect(State.FieldLength, 4);
                break;
            case State.FieldLength:
                var length = (int)value;
                if (length == -1)
                {
                    FieldDone();
                    return;
                }
                if (length < 0)
                    throw new InvalidDataException($"Binary COPY field claims length {length}.");
                Skip(State.FieldData, length);
                break;
        }
    }
}
