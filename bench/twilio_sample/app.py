"""The incoming-call webhook of TwilioDevEd/ivr-phone-tree-python (MIT, see LICENSE)."""

import flask
from flask import Flask, url_for
from twilio.twiml.voice_response import VoiceResponse

app = Flask(__name__)


def twiml(resp):
    resp = flask.Response(str(resp))
    resp.headers['Content-Type'] = 'text/xml'
    return resp


@app.route('/ivr/welcome', methods=['POST'])
def welcome():
    response = VoiceResponse()
    with response.gather(
        num_digits=1, action=url_for('menu'), method="POST"
    ) as g:
        g.say(message="Thanks for calling the E T Phone Home Service. " +
              "Please press 1 for directions." +
              "Press 2 for a list of planets to call.", loop=3)
    return twiml(response)


@app.route('/ivr/menu', methods=['POST'])
def menu():
    return twiml(VoiceResponse())   # the sample's menu; not timed here
