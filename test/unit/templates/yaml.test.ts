// CloudFormation short-form tags parse to the long form CloudFormation accepts in JSON.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/shared/errors';
import { GeneratedSlot, parseCfnYaml, SHORT_FORM_TAGS } from '../../../src/templates/yaml';

const parse = (text: string) => parseCfnYaml(text, 'test.yaml');

describe('parseCfnYaml', () => {
  it('supports every short-form tag of CloudFormation', () => {
    expect([...SHORT_FORM_TAGS].sort()).toEqual(
      [
        '!And', '!Base64', '!Cidr', '!Condition', '!Equals', '!FindInMap', '!GetAZs', '!GetAtt',
        '!If', '!ImportValue', '!Join', '!Not', '!Or', '!Ref', '!Select', '!Split', '!Sub',
      ].sort(),
    );
  });

  it('maps scalar, sequence and mapping forms', () => {
    const data = parse(`
a: !Ref Thing
b: !Sub 'arn:\${AWS::Partition}:s3:::x'
c: !Sub ['\${A}-x', { A: !Ref B }]
d: !Join ['', [a, !Ref C]]
e: !GetAZs ''
f: !Base64 { 'Fn::Sub': x }
g: !Condition IsProd
h: !ImportValue shared-vpc
i: !Select [0, !Split [',', !Ref List]]
j: !FindInMap [Map, !Ref AWS::Region, Ami]
k: !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]
`);
    expect(data).toEqual({
      a: { Ref: 'Thing' },
      b: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x' },
      c: { 'Fn::Sub': ['${A}-x', { A: { Ref: 'B' } }] },
      d: { 'Fn::Join': ['', ['a', { Ref: 'C' }]] },
      e: { 'Fn::GetAZs': '' },
      f: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
      g: { Condition: 'IsProd' },
      h: { 'Fn::ImportValue': 'shared-vpc' },
      i: { 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'List' }] }] },
      j: { 'Fn::FindInMap': ['Map', { Ref: 'AWS::Region' }, 'Ami'] },
      k: { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 4, 8] },
    });
  });

  it('splits !GetAtt at the first dot only, and nests conditions', () => {
    const data = parse(`
url: !GetAtt Redis.PrimaryEndPoint.Address
list: !GetAtt [Redis, PrimaryEndPoint.Port]
cond: !And [!Not [!Equals [!Ref A, '']], !Or [!Condition B, !Equals [x, y]]]
pick: !If [HasCert, !Ref Https, !Ref AWS::NoValue]
`);
    expect(data.url).toEqual({ 'Fn::GetAtt': ['Redis', 'PrimaryEndPoint.Address'] });
    expect(data.list).toEqual({ 'Fn::GetAtt': ['Redis', 'PrimaryEndPoint.Port'] });
    expect(data.cond).toEqual({
      'Fn::And': [
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'A' }, ''] }] },
        { 'Fn::Or': [{ Condition: 'B' }, { 'Fn::Equals': ['x', 'y'] }] },
      ],
    });
    expect(data.pick).toEqual({ 'Fn::If': ['HasCert', { Ref: 'Https' }, { Ref: 'AWS::NoValue' }] });
  });

  it('keeps YAML 1.1 booleans as strings and parses !Generated placeholders', () => {
    const data = parse(`on: yes\nslot: !Generated gateway-port\nlist: [a, !Generated x]\n`);
    expect(data.on).toBe('yes');
    expect(data.slot).toBeInstanceOf(GeneratedSlot);
    expect((data.slot as GeneratedSlot).name).toBe('gateway-port');
    expect((data.list as unknown[])[1]).toBeInstanceOf(GeneratedSlot);
  });

  it('reports syntax errors and duplicate keys with a code', () => {
    for (const text of ['a: [1, 2', 'a: 1\na: 2\n', '- just\n- a list\n']) {
      expect(() => parse(text)).toThrow(expect.objectContaining({ code: ErrorCode.TemplateInvalid }));
    }
  });
});
